-- The batch's bronze -> silver -> gold transformations, in DuckDB SQL, for the bench's yardstick
-- (bench.DuckDbYardstick): the same source rows, exported with PostgreSQL's COPY, into the same star
-- (dimensions with validity ranges, facts keyed to the version valid at their own time, the calendar).
-- Support tickets are not part of it (their lifecycle spans the daily report files, not the database).
-- Each statement ends with ';' at the end of a line.

-- silver: one current row per id, deletes kept as flags (an export holds one version of each row;
-- carts deleted before they were exported come back from the delete log's row image)
CREATE TABLE deleted AS SELECT table_name, row_id, max(deleted_at) AS deleted_at FROM deleted_rows GROUP BY ALL;
CREATE TABLE s_carts AS
  SELECT id, customer_id, created_at, updated_at FROM shopping_carts
  UNION ALL SELECT id, customer_id, created_at, updated_at FROM deleted_carts
    WHERE id NOT IN (SELECT id FROM shopping_carts);

-- dimensions (one version per id in a first full run: valid from creation, open-ended)
CREATE TABLE dim_customer AS
  SELECT hash('customer', c.id, c.created_at) AS customer_key, c.id AS customer_id, first_name, last_name, email,
         phone, date_of_birth, c.created_at AS valid_from, CAST(NULL AS TIMESTAMP) AS valid_to, true AS is_current
  FROM customers c;
CREATE TABLE dim_category AS
  SELECT hash('category', c.id) AS category_key, c.id AS category_id, name, description,
         d.row_id IS NOT NULL AS is_deleted
  FROM categories c LEFT JOIN deleted d ON d.table_name = 'categories' AND d.row_id = c.id;
CREATE TABLE dim_product AS
  SELECT hash('product', p.id, p.created_at) AS product_key, p.id AS product_id, name, description, price,
         category_id, image_url, p.created_at AS valid_from, CAST(NULL AS TIMESTAMP) AS valid_to, true AS is_current,
         hash('category', category_id) AS category_key
  FROM products p;

-- facts, each keyed to the dimension version valid at its own time (-1 while none is)
CREATE TABLE fact_sales AS
  SELECT s.id AS sale_id, coalesce(c.customer_key, -1) AS customer_key, s.order_date,
         CAST(s.order_status AS VARCHAR) AS order_status, s.total_amount, s.payment_id, s.cart_id,
         s.shipping_address_id, s.billing_address_id, d.row_id IS NOT NULL AS is_deleted,
         CAST(strftime(s.order_date, '%Y%m%d') AS INTEGER) AS order_date_key
  FROM sales s
  LEFT JOIN dim_customer c ON c.customer_id = s.customer_id AND c.valid_from <= s.order_date
       AND (c.valid_to IS NULL OR s.order_date < c.valid_to)
  LEFT JOIN deleted d ON d.table_name = 'sales' AND d.row_id = s.id;
CREATE TABLE fact_order_details AS
  SELECT o.id AS order_detail_id, o.order_id AS sale_id, coalesce(p.product_key, -1) AS product_key, p.category_key,
         o.quantity, o.unit_price, o.total_price, d.row_id IS NOT NULL AS is_deleted, s.order_date,
         CAST(s.order_status AS VARCHAR) AS order_status, CAST(strftime(s.order_date, '%Y%m%d') AS INTEGER) AS order_date_key
  FROM order_details o
  JOIN sales s ON s.id = o.order_id
  LEFT JOIN dim_product p ON p.product_id = o.product_id AND p.valid_from <= s.order_date
       AND (p.valid_to IS NULL OR s.order_date < p.valid_to)
  LEFT JOIN deleted d ON d.table_name = 'order_details' AND d.row_id = o.id;
CREATE TABLE fact_payments AS
  SELECT y.id AS payment_id, y.order_id AS sale_id, coalesce(c.customer_key, -1) AS customer_key, y.payment_date,
         CAST(y.payment_method AS VARCHAR) AS payment_method, CAST(y.payment_status AS VARCHAR) AS payment_status,
         y.transaction_id, s.total_amount AS amount, d.row_id IS NOT NULL AS is_deleted,
         CAST(strftime(y.payment_date, '%Y%m%d') AS INTEGER) AS payment_date_key
  FROM payments y
  JOIN sales s ON s.id = y.order_id
  LEFT JOIN dim_customer c ON c.customer_id = s.customer_id AND c.valid_from <= y.payment_date
       AND (c.valid_to IS NULL OR y.payment_date < c.valid_to)
  LEFT JOIN deleted d ON d.table_name = 'payments' AND d.row_id = y.id;
CREATE TABLE dim_cart AS
  SELECT k.id AS cart_id, coalesce(c.customer_key, -1) AS customer_key, k.created_at,
         d.row_id IS NOT NULL AS is_deleted, d.deleted_at, done.sale_id,
         CAST(strftime(k.created_at, '%Y%m%d') AS INTEGER) AS created_date_key
  FROM s_carts k
  LEFT JOIN dim_customer c ON c.customer_id = k.customer_id AND c.valid_from <= k.created_at
       AND (c.valid_to IS NULL OR k.created_at < c.valid_to)
  LEFT JOIN deleted d ON d.table_name = 'shopping_carts' AND d.row_id = k.id
  LEFT JOIN (SELECT cart_id, max(id) AS sale_id FROM sales
             WHERE CAST(order_status AS VARCHAR) = 'Completed' AND cart_id IS NOT NULL GROUP BY cart_id) done
       ON done.cart_id = k.id;

-- the calendar: every day of the years from the first to the last date the facts carry
CREATE TABLE dim_date AS
  WITH bounds AS (
    SELECT make_date(year(min(d)), 1, 1) AS first, make_date(year(max(d)), 12, 31) AS last FROM (
      SELECT CAST(order_date AS DATE) AS d FROM sales UNION ALL
      SELECT CAST(payment_date AS DATE) FROM payments UNION ALL
      SELECT CAST(created_at AS DATE) FROM s_carts))
  SELECT CAST(strftime(day, '%Y%m%d') AS INTEGER) AS date_key, CAST(day AS DATE) AS full_date,
         dayofmonth(day) AS day, dayname(day) AS day_of_week_name, isodow(day) AS day_of_week,
         weekofyear(day) AS week_of_year, month(day) AS month, monthname(day) AS month_name, quarter(day) AS quarter,
         year(day) AS year, isodow(day) >= 6 AS is_weekend
  FROM bounds, generate_series(CAST(first AS TIMESTAMP), CAST(last AS TIMESTAMP), INTERVAL 1 DAY) AS t(day);
