"""Consumer web pages: server-rendered, mobile-first, zh-CN first."""
