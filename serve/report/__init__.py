"""`hotline report`: score a whole export of past tickets and write per-unit tables and an HTML report, as the
hotline offices' monthly bulletins do (columns, scoring, aggregation, writers, charts, page, run)."""
