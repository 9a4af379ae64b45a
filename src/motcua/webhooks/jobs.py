"""Imported by ``motcua worker`` (``notify.worker.jobs_discover``): the webhook deliveries
are one more outbox that the worker drains in each round."""

from motcua.notify.worker import register_sender
from motcua.webhooks.sender import deliveries_send_due

register_sender("webhooks", deliveries_send_due)
