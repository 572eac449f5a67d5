-- A row deleted before any landing saw it was only an id in the log, and the lake lost it: most
-- carts live less than a day, and a daily batch would never see them. The log now keeps the row as
-- it was when deleted (less password_hash, which never leaves the source), so silver can
-- rebuild it.
ALTER TABLE deleted_rows ADD COLUMN old_row jsonb;

CREATE OR REPLACE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deleted_rows (table_name, row_id, old_row) VALUES (TG_TABLE_NAME, OLD.id, to_jsonb(OLD) - 'password_hash');
    RETURN OLD;
END $$;
