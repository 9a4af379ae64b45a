"""The staff application has no models of its own: the period reports it offers are
``reports.models.ReportRequest`` (moved there in issue 11, its rows kept)."""
