"""Cloud Connect: tenants, cloud failover plans, their replica points and failover sessions."""
