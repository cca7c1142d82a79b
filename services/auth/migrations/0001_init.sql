-- Users and their refresh tokens. Emails are unique on their normalized (trimmed, lower-cased)
-- form; the address as typed is kept for display.
CREATE TABLE users (
  id               CHAR(36)                  NOT NULL,
  email            VARCHAR(254)              NOT NULL,
  email_normalized VARCHAR(254)              NOT NULL,
  name             VARCHAR(100)              NULL,
  password_hash    VARCHAR(100)              NOT NULL,
  role             ENUM('CUSTOMER', 'ADMIN') NOT NULL,
  created_at       DATETIME(3)               NOT NULL,
  updated_at       DATETIME(3)               NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_email_normalized (email_normalized)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Only a SHA-256 of each opaque refresh token is stored. A rotated token keeps its row (used_at
-- set) until it expires, so presenting it again is recognised as reuse and kills the family.
CREATE TABLE refresh_tokens (
  id          CHAR(36)    NOT NULL,
  token_hash  CHAR(64)    NOT NULL,
  family_id   CHAR(36)    NOT NULL,
  user_id     CHAR(36)    NOT NULL,
  expires_at  DATETIME(3) NOT NULL,
  created_at  DATETIME(3) NOT NULL,
  used_at     DATETIME(3) NULL,
  revoked_at  DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_refresh_tokens_token_hash (token_hash),
  KEY ix_refresh_tokens_family (family_id),
  KEY ix_refresh_tokens_user (user_id),
  KEY ix_refresh_tokens_expires (expires_at),
  KEY ix_refresh_tokens_revoked (revoked_at),
  CONSTRAINT fk_refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
