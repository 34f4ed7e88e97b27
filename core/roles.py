"""The roles a member can hold: a module of its own, so that what only names a role (the
command line's options) need not load the accounts tables."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    citizen = "citizen"
    agency_official = "agency_official"
    legislative_staff = "legislative_staff"
    moderator = "moderator"
    admin = "admin"
    village_chief = "village_chief"  # 村里長 and community liaisons: submit comments collected offline
