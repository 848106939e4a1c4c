"""A person's own data (GDPR access and portability): everything the app holds about them."""
