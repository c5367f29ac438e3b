DROP VIEW host_free;
