"""政务诚信 data-sharing hub."""
