val spark = dev.shoplake.serve.ConnectClient.open("sc://127.0.0.1:15002", sys.env("LAKEHOUSE_CONNECT_TOKEN"))
spark.sql("SELECT order_status, count(*) AS orders FROM gold.fact_sales GROUP BY order_status ORDER BY order_status").show()
