"""What workers are told (issues 16 and 17): `service.tell` adds a notification in the
caller's transaction; the pages, the API and the email digest read them."""
