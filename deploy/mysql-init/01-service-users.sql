-- Run once by the mysql:8.4 image on an empty data directory (docker-compose.yml mounts this
-- folder on /docker-entrypoint-initdb.d). One database per service and one user per service,
-- each with privileges on its own database only; nothing connects as root. The users
-- authenticate with MySQL 8.4's default caching_sha2_password: the services' DATABASE_URL
-- carries allowPublicKeyRetrieval=true so a full login works without TLS on this private network.
-- The passwords are for local use only; deployments get theirs from a secret.
CREATE DATABASE IF NOT EXISTS auth CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS catalog CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS orders CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS notifier CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Owners: their service and its migration job (DDL included).
CREATE USER IF NOT EXISTS 'auth'@'%' IDENTIFIED BY 'auth-local-password';
GRANT ALL ON auth.* TO 'auth'@'%';
CREATE USER IF NOT EXISTS 'catalog'@'%' IDENTIFIED BY 'catalog-local-password';
GRANT ALL ON catalog.* TO 'catalog'@'%';
CREATE USER IF NOT EXISTS 'orders'@'%' IDENTIFIED BY 'orders-local-password';
GRANT ALL ON orders.* TO 'orders'@'%';
CREATE USER IF NOT EXISTS 'notifier'@'%' IDENTIFIED BY 'notifier-local-password';
GRANT ALL ON notifier.* TO 'notifier'@'%';

-- The relay and the archiver work on the order service's tables: rows only, no DDL.
CREATE USER IF NOT EXISTS 'relay'@'%' IDENTIFIED BY 'relay-local-password';
GRANT SELECT, INSERT, UPDATE, DELETE ON orders.* TO 'relay'@'%';
CREATE USER IF NOT EXISTS 'archiver'@'%' IDENTIFIED BY 'archiver-local-password';
GRANT SELECT, INSERT, UPDATE, DELETE ON orders.* TO 'archiver'@'%';
