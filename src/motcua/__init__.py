"""motcua — Hệ thống thông tin giải quyết thủ tục hành chính (one-stop information system)."""

__version__ = "0.1.0"
