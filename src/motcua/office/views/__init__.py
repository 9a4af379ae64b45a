"""The staff application's pages, a module each: inbox, dossier, counter, dashboard."""
