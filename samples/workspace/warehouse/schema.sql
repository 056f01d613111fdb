-- The shop's core tables (PostgreSQL).
CREATE SCHEMA IF NOT EXISTS shop;

CREATE TABLE shop.customers (
    customer_id  serial PRIMARY KEY,
    email        text NOT NULL UNIQUE,
    full_name    text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shop.products (
    product_id   serial PRIMARY KEY,
    sku          text NOT NULL,
    title        text NOT NULL,
    price_cents  integer NOT NULL
);

CREATE TABLE shop.orders (
    order_id     serial PRIMARY KEY,
    customer_id  integer NOT NULL REFERENCES shop.customers (customer_id),
    ordered_at   timestamptz NOT NULL,
    status       text NOT NULL
);

CREATE TABLE shop.order_lines (
    order_id     integer NOT NULL,
    line_no      integer NOT NULL,
    product_id   integer NOT NULL,
    quantity     integer NOT NULL,
    PRIMARY KEY (order_id, line_no),
    CONSTRAINT order_lines_order_fk FOREIGN KEY (order_id) REFERENCES shop.orders (order_id),
    CONSTRAINT order_lines_product_fk FOREIGN KEY (product_id) REFERENCES shop.products (product_id)
);

CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE SEQUENCE shop.invoice_no_seq;
