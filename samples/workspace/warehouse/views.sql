CREATE VIEW shop.order_totals AS
WITH line_amounts AS (
    SELECT l.order_id, l.quantity * p.price_cents AS amount_cents
    FROM shop.order_lines l
    JOIN shop.products p ON p.product_id = l.product_id
)
SELECT o.order_id, o.customer_id, sum(la.amount_cents) AS total_cents
FROM shop.orders o
JOIN line_amounts la ON la.order_id = o.order_id
GROUP BY o.order_id, o.customer_id;

CREATE MATERIALIZED VIEW shop.customer_value AS
SELECT c.customer_id, c.email, coalesce(sum(t.total_cents), 0) AS lifetime_cents
FROM shop.customers c
LEFT JOIN shop.order_totals t ON t.customer_id = c.customer_id
GROUP BY c.customer_id, c.email;
