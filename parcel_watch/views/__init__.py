"""Read models of the store for the dashboard and the JSON API: plain queries returning
plain data, with no Textual in them (``tests/test_import_hygiene.py``)."""
