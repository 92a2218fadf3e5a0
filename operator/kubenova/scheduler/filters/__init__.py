"""Host filters: each removes the hosts that cannot take a request, and says why.

One class per module, as in Nova. ``registry`` maps class names (the values of
``SchedulerConfig.enabled_filters``) to classes.
"""
