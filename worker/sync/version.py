"""Which engine computed a sync result.

Stored with every result (``DebugArtifacts.engine``) and part of its inputs digest, so
a result the current engine would compute differently is not taken as up to date.
Bump it whenever the offsets or the confidence of the same files can change.
"""

# 2: the earliest consistent arrival and the sub-frame loop rule (#23).
ENGINE_VERSION = "multicam-xcorr-2"
