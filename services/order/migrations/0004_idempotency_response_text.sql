-- A replayed answer must be the first one byte for byte. MySQL stores JSON in a binary form and
-- gives it back with its keys reordered, so the stored response is kept as the text that was sent.
-- (On MariaDB, JSON is LONGTEXT with a json_valid check; this drops the check.)
ALTER TABLE idempotency_keys MODIFY response_body LONGTEXT NULL;
