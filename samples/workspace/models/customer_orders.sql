{# Orders per customer, for the dashboard. #}
with orders as (
    select * from {{ ref('stg_orders') }}
)
select
    customer_id,
    count(*) as order_count,
    min(order_date) as first_order
from orders
group by customer_id
