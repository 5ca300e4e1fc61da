"""The synced session handed to editing: an OpenTimelineIO timeline and its file formats.

``model`` what the builder needs (pydantic), ``build`` the pure timeline builder,
``formats`` the writers (the OTIO adapters, never hand-written XML), ``media``
which file each clip points at. The API route and ``multicam sync --export`` are
the I/O around them.
"""
