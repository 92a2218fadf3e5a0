"""Host weighers: rank the hosts that passed the filters.

Each weigher gives every candidate a raw value; ``weighing`` normalises those to 0..1 across
the candidates, multiplies by the weigher's multiplier (config, or the minimum found in the
host's aggregates) and sums. One class per module, as in Nova; ``registry`` maps class names.
"""
