"""A read-only Neutron minimum: one network (named like the servers' address label), empty
subnets/ports/routers/floating IPs and a default security group, so OSC's ``--network`` lookup
and the SDK's cloud layer work without a real Neutron."""
