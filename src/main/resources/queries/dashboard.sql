-- The dashboard's questions, answered on the gold tables by name. One named query each
-- ("-- name: ..."): the dashboard runs these very statements, and DashboardQueriesIT checks every
-- answer against the source database. Run them yourself with
--   bin/lakehouse sql -d date_from=2026-11-01 -d date_to=2026-11-30 -f src/main/resources/queries/dashboard.sql
-- :date_from and :date_to are days (UTC, both included). Facts are partitioned by their date key,
-- so every range is a filter on the key: Delta reads only the days asked for.

-- name: orders_summary
-- Successful orders, sales and the failed-order rate. An order is decided once it is paid
-- (Completed) or its payment failed (Canceled): the rate is Canceled over decided orders, so
-- orders still Pending neither count as failed nor dilute the rate.
SELECT count_if(order_status = 'Completed')                                     AS successful_orders,
       coalesce(sum(CASE WHEN order_status = 'Completed' THEN total_amount END), 0) AS sales,
       count_if(order_status = 'Canceled')                                      AS failed_orders,
       count_if(order_status = 'Pending')                                       AS pending_orders,
       round(100.0 * count_if(order_status = 'Canceled')
             / nullif(count_if(order_status IN ('Completed', 'Canceled')), 0), 2) AS failed_order_pct
FROM gold.fact_sales
WHERE NOT is_deleted
  AND order_date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                         AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT);

-- name: top_products
-- The 10 most purchased products (units in completed orders), named by their current version.
SELECT f.product_id, p.name, sum(f.quantity) AS units, sum(f.total_price) AS sales
FROM gold.fact_order_details f
JOIN gold.dim_product p ON p.product_id = f.product_id AND p.is_current
WHERE f.order_status = 'Completed' AND NOT f.is_deleted
  AND f.order_date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                           AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT)
GROUP BY f.product_id, p.name
ORDER BY units DESC, f.product_id
LIMIT 10;

-- name: trending_products
-- The 10 products most added to carts (units), from the store stream.
SELECT f.product_id, p.name, sum(f.quantity) AS units_added, count(*) AS add_actions
FROM gold.fact_cart_activity f
JOIN gold.dim_product p ON p.product_id = f.product_id AND p.is_current
WHERE f.action = 'ADD_TO_CART'
  AND f.date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                     AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT)
GROUP BY f.product_id, p.name
ORDER BY units_added DESC, f.product_id
LIMIT 10;

-- name: sales_by_day
-- Orders and sales per day (completed), every day of the range, quiet days included.
SELECT d.full_date AS day,
       count(f.sale_id) AS orders,
       count_if(f.order_status = 'Completed') AS successful_orders,
       coalesce(sum(CASE WHEN f.order_status = 'Completed' THEN f.total_amount END), 0) AS sales
FROM gold.dim_date d
LEFT JOIN gold.fact_sales f ON f.order_date_key = d.date_key AND NOT f.is_deleted
WHERE d.full_date BETWEEN CAST(:date_from AS DATE) AND CAST(:date_to AS DATE)
GROUP BY d.full_date
ORDER BY day;

-- name: sales_by_hour
-- Completed sales by hour of the day (UTC): when the shop sells.
SELECT hour(order_date) AS hour, count(*) AS successful_orders, sum(total_amount) AS sales
FROM gold.fact_sales
WHERE order_status = 'Completed' AND NOT is_deleted
  AND order_date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                         AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT)
GROUP BY hour(order_date)
ORDER BY hour;

-- name: best_categories
-- Sales and units per category in completed orders, best first.
SELECT c.name AS category, sum(f.quantity) AS units, sum(f.total_price) AS sales
FROM gold.fact_order_details f
JOIN gold.dim_category c ON c.category_key = f.category_key
WHERE f.order_status = 'Completed' AND NOT f.is_deleted
  AND f.order_date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                           AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT)
GROUP BY c.name
ORDER BY sales DESC, category;

-- name: most_active_customers
-- The 10 customers with the most completed orders (then the most spent), current names.
SELECT f.customer_id, concat(c.first_name, ' ', c.last_name) AS customer,
       count(*) AS successful_orders, sum(f.total_amount) AS spent
FROM gold.fact_sales f
JOIN gold.dim_customer c ON c.customer_id = f.customer_id AND c.is_current
WHERE f.order_status = 'Completed' AND NOT f.is_deleted
  AND f.order_date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                           AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT)
GROUP BY f.customer_id, c.first_name, c.last_name
ORDER BY successful_orders DESC, spent DESC, f.customer_id
LIMIT 10;

-- name: customer_regions
-- Completed sales by the shipping address's country and state.
SELECT a.country, a.state, count(*) AS successful_orders, sum(f.total_amount) AS sales
FROM gold.fact_sales f
JOIN silver.addresses a ON a.id = f.shipping_address_id
WHERE f.order_status = 'Completed' AND NOT f.is_deleted
  AND f.order_date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                           AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT)
GROUP BY a.country, a.state
ORDER BY sales DESC, a.country, a.state
LIMIT 20;

-- name: cart_conversion
-- Carts opened in the range and how many of them reached checkout (from the store stream).
WITH opened AS (
  SELECT DISTINCT cart_id FROM gold.fact_cart_activity
  WHERE action = 'CREATE_CART'
    AND date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                     AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT)),
checked_out AS (
  SELECT DISTINCT cart_id FROM gold.fact_cart_activity
  WHERE action = 'CHECKOUT'
    AND date_key >= CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT))
SELECT count(*) AS carts_opened,
       count(c.cart_id) AS carts_checked_out,
       round(100.0 * count(c.cart_id) / nullif(count(*), 0), 2) AS conversion_pct
FROM opened o LEFT JOIN checked_out c ON c.cart_id = o.cart_id;

-- name: support_rates
-- Tickets created in the range and where they stand under the 7-day rule: resolved in time,
-- closed (not resolved within 7 days), still open; rates over all tickets of the range.
SELECT count(*) AS tickets,
       count_if(status = 'Resolved') AS resolved,
       count_if(status = 'Closed') AS closed,
       count_if(status IN ('Pending', 'Escalated')) AS open,
       round(100.0 * count_if(status = 'Resolved') / nullif(count(*), 0), 2) AS resolve_rate_pct,
       round(100.0 * count_if(status = 'Closed') / nullif(count(*), 0), 2) AS close_rate_pct,
       round(avg(days_to_resolve), 2) AS avg_days_to_resolve
FROM gold.fact_support_ticket
WHERE created_date_key BETWEEN CAST(date_format(CAST(:date_from AS DATE), 'yyyyMMdd') AS INT)
                           AND CAST(date_format(CAST(:date_to AS DATE), 'yyyyMMdd') AS INT);

-- name: live_traffic
-- The live tiles: website and store traffic per minute over the last hour of events the stream
-- has seen (the table keeps the last day's partition hot).
SELECT minute, sessions, page_views, store_actions, carts_created, add_to_carts, checkouts, orders_paid,
       payments_failed, revenue
FROM gold.live_traffic_minute
WHERE date_key >= (SELECT CAST(date_format(max(minute) - INTERVAL 1 HOUR, 'yyyyMMdd') AS INT)
                   FROM gold.live_traffic_minute)
  AND minute > (SELECT max(minute) - INTERVAL 1 HOUR FROM gold.live_traffic_minute)
ORDER BY minute;

-- name: stock_alerts
-- Products whose stock now is under the alert level (:stock_alert_below: the setting
-- spark.lakehouse.stream.stock-alert-below, which lakehouse sql defines by default).
SELECT s.product_id, p.name, s.stock_level, s.event_time AS as_of
FROM gold.stock_current s
LEFT JOIN gold.dim_product p ON p.product_id = s.product_id AND p.is_current
WHERE s.stock_level < CAST(:stock_alert_below AS INT)
ORDER BY s.stock_level, s.product_id;

-- name: freshness
-- How fresh the numbers are: the last successful gold batch, the stream's last micro-batch with
-- its event-to-gold latency, and the newest store event in gold (its stock change).
SELECT (SELECT max(started_at + make_dt_interval(0, 0, 0, duration_ms / 1000.0)) FROM ops.job_runs
        WHERE job = 'gold' AND status = 'ok') AS last_batch_at,
       (SELECT max(batch_started_at) FROM ops.stream_progress) AS last_stream_batch_at,
       (SELECT max_by(max_latency_ms, batch_started_at) FROM ops.stream_progress
        WHERE input_rows > 0) AS stream_latency_ms,
       (SELECT max(event_time) FROM gold.stock_current) AS newest_event_at;
