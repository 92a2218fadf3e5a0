"""A Glance v2 minimum over Image CRs (Glance id = ``metadata.uid``), for OSC's image lookups."""
