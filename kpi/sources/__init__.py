"""File formats: the platforms' exports and kpibot's own CSVs, recognised from their bytes.

`registry.py` holds every format as a profile (data); `profile.py` the shapes profiles are written
in; `decode.py` turns bytes into rows (encodings, separators, workbooks); `values.py` reads numbers
and dates as the platforms write them; `tables.py` reads a platform table with its profile;
`native.py` reads kpibot's long and wide CSVs; `summary.py` is what an import says it did.
"""
