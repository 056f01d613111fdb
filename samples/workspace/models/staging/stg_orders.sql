{{ config(materialized='view') }}

select
    order_id,
    customer_id,
    ordered_at as order_date,
    status
from {{ source('shop', 'orders') }}
