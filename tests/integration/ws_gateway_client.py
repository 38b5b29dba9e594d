#!/usr/bin/python3
"""A client of `da ws-gateway` built only from docs/notifications.md, with Debian's
python3-websockets: it authenticates, acknowledges, and answers nothing but what the library
answers by itself (the WebSocket pings). It never answers the text ping.

  ws_gateway_client.py URL TOKEN SCENARIO

Scenarios (each prints one JSON line of findings and exits 0 when they hold):
  stay       stay connected, wait for a notification (the test queues it later), ack it
  last_id    authenticate with a last_id no notification ever had: an error must follow auth_ok
  malformed  send an ack whose id is a string: an error naming the field, then close 1007
  deflate    with compression negotiated, receive the replayed notification and ack it
"""
import asyncio
import json
import sys
import time

import websockets


async def next_of(ws, kind, timeout):
    """The next message of type `kind`, skipping others (the text ping among them)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {kind} message within {timeout} s")
        message = json.loads(await asyncio.wait_for(ws.recv(), left))
        if message["type"] == kind:
            return message


async def authenticate(ws, token, last_id=0):
    await ws.send(json.dumps({"type": "auth", "token": token, "last_id": last_id}))
    return await next_of(ws, "auth_ok", 5)


async def stay(url, token):
    # The library's own keepalive pings are off: only its automatic pongs answer the server.
    async with websockets.connect(url, ping_interval=None) as ws:
        await authenticate(ws, token)
        since = time.monotonic()
        notification = await next_of(ws, "notification", 20)
        waited = time.monotonic() - since
        await ws.send(json.dumps({"type": "ack", "id": notification["id"]}))
        await asyncio.sleep(0.5)  # the ack is read before the close
        return {"notification": notification["id"], "waited": waited}


async def last_id(url, token):
    async with websockets.connect(url, ping_interval=None) as ws:
        await authenticate(ws, token, last_id=10**12)
        error = await next_of(ws, "error", 5)
        return {"error": error["message"]}


async def malformed(url, token):
    async with websockets.connect(url, ping_interval=None) as ws:
        await authenticate(ws, token)
        await ws.send(json.dumps({"type": "ack", "id": "x"}))
        error = await next_of(ws, "error", 5)
        try:
            await asyncio.wait_for(ws.recv(), 5)
            return {"error": error["message"], "close_code": None}
        except websockets.exceptions.ConnectionClosed as closed:
            return {"error": error["message"],
                    "close_code": closed.rcvd.code if closed.rcvd else None}


async def deflate(url, token):
    async with websockets.connect(url, ping_interval=None, compression="deflate") as ws:
        await authenticate(ws, token)
        notification = await next_of(ws, "notification", 5)
        await ws.send(json.dumps({"type": "ack", "id": notification["id"]}))
        await asyncio.sleep(0.5)
        return {"notification": notification["id"],
                "extensions": [extension.name for extension in ws.extensions]}


def main():
    url, token, scenario = sys.argv[1:4]
    scenarios = {"stay": stay, "last_id": last_id, "malformed": malformed, "deflate": deflate}
    try:
        findings = asyncio.run(scenarios[scenario](url, token))
    except websockets.exceptions.ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
        print(json.dumps({"closed": code, "reason": closed.rcvd.reason if closed.rcvd else ""}))
        return 1
    except (AssertionError, OSError, asyncio.TimeoutError) as failure:
        print(json.dumps({"failed": f"{type(failure).__name__}: {failure}"}))
        return 1
    print(json.dumps(findings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
