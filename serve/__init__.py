"""The fronts of hotline: the command line, the HTTP service with its page, and the monthly reports."""
