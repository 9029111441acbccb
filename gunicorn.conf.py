"""gunicorn's settings for every way this project starts it (make serve, make serve-proxy, the tests, the
benchmark): gunicorn reads this file from the folder it starts in. Command-line flags add to it."""

# The proxy in front refuses an address or a header line over 4 KB, and headers over 16 KB in all, with a page
# of its own (deploy/nginx.conf). gunicorn's limits are set above those, so what nginx passes on is never met by
# gunicorn's bare 400 instead of an answer.
limit_request_line = 8190  # the most gunicorn allows; its default, 4094, is at nginx's own limit
limit_request_fields = 32768  # 16 KB of headers holds thousands of short ones; gunicorn's default is 100
limit_request_field_size = 8190

# The wizard's answers travel in the query string: the access log (when one is asked for) keeps the path only.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
