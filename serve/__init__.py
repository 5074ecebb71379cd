"""The fronts of hotline: the command line (and, later, the HTTP service and reports)."""
