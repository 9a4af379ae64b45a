// The staff session's warning and the refilling of a form sent after the session ended
// (core.middleware.StaffSessionMiddleware). No inline script: everything it needs comes from
// data-session-* attributes on <body> and a JSON block (json_script) for a kept form.
(function () {
  "use strict";

  var body = document.body;
  var data = body.dataset;

  // --- The kept form: filled in again, never submitted -----------------------------------
  function refill() {
    var block = document.getElementById("motcua-resume");
    if (!block) return;
    var draft = JSON.parse(block.textContent);
    var target = new URL(draft.action, window.location.href).pathname;
    var forms = Array.prototype.filter.call(document.forms, function (form) {
      var action = form.getAttribute("action");
      var path = new URL(action || window.location.href, window.location.href).pathname;
      return (form.method || "").toLowerCase() === "post" && path === target;
    });
    var filled = null;
    forms.forEach(function (form) {
      var names = Object.keys(draft.fields);
      // The form is the one whose fields the kept data names (a page may hold several that
      // post to one address, such as the counter's three outcomes).
      if (filled || !names.some(function (n) { return form.elements.namedItem(n); })) return;
      names.forEach(function (name) {
        var values = draft.fields[name];
        var elements = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
        var index = 0;
        elements.forEach(function (el) {
          var type = (el.type || "").toLowerCase();
          if (type === "file" || type === "submit" || type === "button" || type === "password") {
            return;
          }
          if (type === "checkbox" || type === "radio") {
            el.checked = values.indexOf(el.value) !== -1;
          } else if (el.tagName === "SELECT" && el.multiple) {
            Array.prototype.forEach.call(el.options, function (o) {
              o.selected = values.indexOf(o.value) !== -1;
            });
          } else if (index < values.length) {
            el.value = values[index];
            index += 1;
          }
          el.dispatchEvent(new Event("change", { bubbles: true }));
        });
      });
      filled = form;
    });
    if (!filled) return;
    // An action form may sit in a closed <details>: open it so the clerk sees it.
    for (var node = filled.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    var text = document.getElementById("motcua-resume-text");
    var notice = document.createElement("p");
    notice.className = "msg msg-warning";
    notice.setAttribute("role", "status");
    notice.id = "motcua-resume-notice";
    notice.textContent = text ? text.textContent : "";
    filled.insertBefore(notice, filled.firstChild);
    filled.scrollIntoView({ block: "start" });
  }

  // --- The warning before the session ends ---------------------------------------------
  if (!data.sessionUrl) {
    refill();
    return;
  }
  var warnBefore = parseInt(data.sessionWarnBefore, 10) * 1000;
  var endsAt = Date.now() + parseInt(data.sessionExpiresIn, 10) * 1000;
  var capped = false;
  var timer = null;
  var ticker = null;

  var box = document.createElement("div");
  box.id = "session-warning";
  box.className = "msg msg-warning session-warning";
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-live", "assertive");
  box.hidden = true;
  var text = document.createElement("span");
  text.id = "session-warning-text";
  box.setAttribute("aria-labelledby", text.id);
  var left = document.createElement("strong");
  var stay = document.createElement("button");
  stay.type = "button";
  stay.className = "btn";
  stay.textContent = data.sessionTextStay;
  box.appendChild(text);
  box.appendChild(document.createTextNode(" "));
  box.appendChild(left);
  box.appendChild(document.createTextNode(" "));
  box.appendChild(stay);
  body.appendChild(box);

  function clock(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, endsAt - Date.now() - warnBefore));
  }

  function ended() {
    clearInterval(ticker);
    text.textContent = data.sessionTextEnded;
    left.textContent = "";
    stay.hidden = true;
    box.hidden = false;
  }

  function show() {
    text.textContent = capped ? data.sessionTextCapped : data.sessionTextWarning;
    stay.hidden = capped;
    box.hidden = false;
    clearInterval(ticker);
    function tick() {
      var ms = endsAt - Date.now();
      if (ms <= 0) return ended();
      left.textContent = clock(ms);
    }
    tick();
    ticker = setInterval(tick, 1000);
  }

  function hide() {
    clearInterval(ticker);
    box.hidden = true;
  }

  function update(response) {
    if (response.status === 401) {
      endsAt = Date.now();
      return ended();
    }
    return response.json().then(function (state) {
      endsAt = Date.now() + state.expires_in * 1000;
      capped = !!state.capped;
      if (endsAt - Date.now() > warnBefore) {
        hide();
        schedule();
      } else {
        show();
      }
    });
  }

  // Before warning, ask: another tab may have kept the session alive meanwhile.
  function check() {
    fetch(data.sessionUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(update)
      .catch(show);
  }

  // The page's CSRF token, as HTMX sends it (base.html's hx-headers).
  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  stay.addEventListener("click", function () {
    fetch(data.sessionUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(update)
      .catch(show);
  });

  refill();
  schedule();
})();
