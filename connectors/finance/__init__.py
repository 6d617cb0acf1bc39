"""The finance family: procurement contracts from the finance department's paged JSON API,
giving PAYMENT_ARREARS (保障中小企业款项支付条例 Art. 9–10) and PROCUREMENT_BREACH records."""

from connectors.finance.connector import Config, FinanceConnector

__all__ = ["Config", "FinanceConnector"]
