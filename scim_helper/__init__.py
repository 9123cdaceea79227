"""Course support: the local SCIM server, course_setup, exercise checks and widgets."""
