"""``refcheck fix PATH... [--diff | --write]``: for each dead or soft-404 citation with an
archive capture, the change an editor would make -- the archive copy added after the
original link, in the article's own idiom (plain text, Markdown, HTML) -- shown as a
unified diff or written in place (atomically, with a backup, the file's encoding, BOM
and line endings kept). A citation that already carries its own archive copy is
*rescued* and never gets a second one, so running fix twice changes nothing.

plan (which citations need a fix; rescued ones) -> edit (where and what to insert, per
format) -> apply (the file's bytes: diff, backup, atomic write) -> cli.
"""
