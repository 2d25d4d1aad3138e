-- An application's own quota of portal tokens in force (NULL: herald.tenancy.max-portal-tokens-per-application):
-- minting is refused beyond it, so that one application cannot grow the table without bound.
ALTER TABLE application ADD COLUMN max_portal_tokens integer CHECK (max_portal_tokens >= 0);
