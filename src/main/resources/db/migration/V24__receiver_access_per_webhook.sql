-- How Herald reaches a webhook's receiver, per webhook, each sealed like its signing secret (SecretCipher, bound to
-- the row and to what it is): an egress proxy of its own (its URL may carry the proxy's credentials), a TLS client
-- certificate and its key (mTLS) and OAuth2 client credentials. NULL: none (the deployment's proxy, if any).
-- Claims and test events answer them with what they take, so their result types change and the old functions go
-- (on a new database the function files, which come after the migrations, have not made them yet: dropped only
-- where they exist, without a notice).
ALTER TABLE webhook ADD COLUMN proxy text,
                    ADD COLUMN client_certificate text,
                    ADD COLUMN oauth2 text;
DO $$
BEGIN
    IF to_regprocedure('herald_claim(bigint[], int, int, bigint, int, bigint, int, int[], int[], int, bigint)')
       IS NOT NULL THEN
        DROP FUNCTION herald_claim(bigint[], int, int, bigint, int, bigint, int, int[], int[], int, bigint);
    END IF;
    IF to_regprocedure('herald_start_test(bigint, int, int, int, bigint, bigint)') IS NOT NULL THEN
        DROP FUNCTION herald_start_test(bigint, int, int, int, bigint, bigint);
    END IF;
END $$;
