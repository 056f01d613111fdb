-- One statement here does not parse; the others still count.
SELECT email FROM shop.customers WHERE customer_id = 1;

SELEC title FROM shop.products WHERE;

SELECT sku FROM shop.products;
