"""kubeatlas analyzer: sources → modules → parse → store → resolve → query → site."""
