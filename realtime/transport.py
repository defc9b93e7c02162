"""Daphne's websocket transport, made to keep the promises of docs/protocol.md.

Autobahn (under Daphne) *fails* a connection that breaks a limit, such as a message over
``websocket_max_message_size`` (1 MiB), and by default fails it by dropping the TCP
connection (``failByDrop``): the client sees 1006 and cannot tell a limit from a crash.
Daphne has no option for it, so every websocket factory here starts with
``failByDrop`` off: the connection is closed with a close frame (1009 for a message too
big, 1002 for a protocol error), then dropped if the client does not answer it.
"""


def close_failed_connections_cleanly() -> None:
    try:
        from daphne.ws_protocol import WebSocketFactory
    except ImportError:  # served by something else than Daphne
        return
    if getattr(WebSocketFactory, "_sahakar_clean_close", False):
        return
    reset = WebSocketFactory.resetProtocolOptions

    def reset_protocol_options(self) -> None:
        reset(self)
        self.failByDrop = False

    WebSocketFactory.resetProtocolOptions = reset_protocol_options
    WebSocketFactory._sahakar_clean_close = True
