"""The version journal: every distinct content of each thesis file, with what changed between them.

`changes` compares two versions of a thesis file field by field (pure); `history` holds the
versions with their change lines and their text and JSON forms (pure); `git` reads a file's
versions from its commits; `store` records versions in the `thesis_versions` table and reads a
thesis's journal back.
"""
