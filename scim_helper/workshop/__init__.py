"""Workshops: prepare a room, serve it, and report learners' progress to it (issue 16).

``prepare`` and ``serve`` are ``scim-course workshop``; :mod:`.reporter` is what the checks
use to report each outcome to a workshop server. The server's side is in
``scim_helper.server.workshop``.
"""
