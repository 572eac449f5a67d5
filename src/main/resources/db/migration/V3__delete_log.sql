-- Deletes are facts the lake must not lose (carts are deleted at checkout, empty carts and stale
-- carts are cleaned up): every delete in a shop table is logged here by trigger, and the bronze
-- layer lands this log incrementally by seq, like any other table.
CREATE TABLE deleted_rows (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text        NOT NULL,
    row_id     integer     NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deleted_rows (table_name, row_id) VALUES (TG_TABLE_NAME, OLD.id);
    RETURN OLD;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customers', 'categories', 'products', 'addresses', 'shopping_carts',
                             'cart_items', 'sales', 'order_details', 'payments']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION log_delete()',
                       t || '_log_delete', t);
    END LOOP;
END $$;
