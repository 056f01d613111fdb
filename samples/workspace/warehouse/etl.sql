CREATE TABLE shop.daily_revenue (day date PRIMARY KEY, revenue_cents bigint NOT NULL);

CREATE OR REPLACE FUNCTION shop.refresh_daily_revenue() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM shop.daily_revenue WHERE day >= current_date - 7;
    INSERT INTO shop.daily_revenue (day, revenue_cents)
    SELECT date_trunc('day', o.ordered_at)::date, sum(t.total_cents)
    FROM shop.orders o
    JOIN shop.order_totals t ON t.order_id = o.order_id
    WHERE o.ordered_at >= current_date - 7
    GROUP BY 1;
END;
$$;

UPDATE shop.orders SET status = 'stale'
WHERE status = 'open' AND ordered_at < now() - interval '90 days';
