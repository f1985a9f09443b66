"""The eval suite: metrics, runners and reports."""
