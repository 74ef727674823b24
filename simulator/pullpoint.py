"""SOAP requests to the events service and to its pull points, answered with the camera's quirks."""

from __future__ import annotations

import asyncio
import time

from lxml import etree

from simulator import events, soap
from simulator.device import Device


async def handle(device: Device, endpoint: soap.Endpoint, path: str, payload: bytes) -> soap.SoapReply:
    """Answer one request to the events service (``EVENTS_PATH``) or to a pull point (``PULLPOINT_PATH``+id)."""
    try:
        if not device.state.events:
            raise soap.not_implemented()
        operation, request, header = soap.read_request(device, payload)
        soap.check_authorised(device, header)
        if path == events.EVENTS_PATH and operation == "CreatePullPointSubscription":
            with device.subscribing.held():
                await asyncio.sleep(device.state.events_subscribe_delay_s)
                body = _service(device, endpoint, operation, request)
        elif path == events.EVENTS_PATH:
            body = _service(device, endpoint, operation, request)
        else:
            body = await _pull_point(device, path.removeprefix(events.PULLPOINT_PATH), operation, request)
        return soap.SoapReply(200, soap.envelope(body))
    except events.EventFault as fault:
        return soap.fault_reply(soap.SoapFault(fault.status, "env:Sender", fault.subcode, fault.reason))
    except soap.SoapFault as fault:
        return soap.fault_reply(fault)


def _service(device: Device, endpoint: soap.Endpoint, operation: str, request: etree._Element) -> str:
    broker, state = device.events, device.state
    if operation == "GetEventProperties":
        return events.event_properties()
    if operation == "GetServiceCapabilities":
        return (
            '<tev:GetServiceCapabilitiesResponse><tev:Capabilities WSSubscriptionPolicySupport="false" '
            'WSPullPointSupport="true" WSPausableSubscriptionManagerInterfaceSupport="false" '
            'MaxPullPoints="10"/></tev:GetServiceCapabilitiesResponse>'
        )
    if operation != "CreatePullPointSubscription":
        raise soap.not_implemented()
    now = state.device_time()
    asked = events.requested_seconds(events.child_text(request, "InitialTerminationTime"), now)
    subscription = broker.subscribe(events.granted_seconds(asked, state.event_termination_scale))
    return (
        f"<tev:CreatePullPointSubscriptionResponse>{events.subscription_reference(endpoint.http, subscription)}"
        f"{events.times(now, subscription)}</tev:CreatePullPointSubscriptionResponse>"
    )


async def _pull_point(device: Device, ident_text: str, operation: str, request: etree._Element) -> str:
    broker, state = device.events, device.state
    if not ident_text.isdigit():
        raise events.EventFault(400, "ter:InvalidArgVal", "Unknown or expired subscription")
    subscription = broker.find(int(ident_text))
    if operation == "PullMessages":
        if state.events_pull_hangs:
            # Firmwares seen to take the request and never answer: only the client's own time limit ends it.
            await asyncio.Event().wait()
        longest = state.events_pull_max_s
        if longest and events.requested_seconds(events.child_text(request, "Timeout") or "PT0S", 0.0) > longest:
            # What the events WSDL gives a device for a Timeout (or MessageLimit) over what it supports.
            limits = f"<tev:MaxTimeout>PT{longest:g}S</tev:MaxTimeout><tev:MaxMessageLimit>100</tev:MaxMessageLimit>"
            detail = f"<tev:PullMessagesFaultResponse>{limits}</tev:PullMessagesFaultResponse>"
            raise soap.SoapFault(400, "env:Sender", "ter:InvalidArgVal", "Timeout over the maximum", detail)
        await events.wait_for_messages(subscription, events.child_text(request, "Timeout"), state.events_pull_cap_s)
        limit_text = events.child_text(request, "MessageLimit")
        limit = int(limit_text) if limit_text.isdigit() else 1
        return events.pull_answer(state.device_time(), broker.find(subscription.ident), limit)
    if operation == "Renew":
        now = state.device_time()
        asked = events.requested_seconds(events.child_text(request, "TerminationTime"), now)
        subscription.ends_at = time.monotonic() + events.granted_seconds(asked, state.event_termination_scale)
        broker.renewed += 1
        return f"<wsnt:RenewResponse>{events.times(now, subscription, termination_first=True)}</wsnt:RenewResponse>"
    if operation == "Unsubscribe":
        broker.unsubscribed += 1
        if state.events_cancel_all:
            broker.drop_all()  # the quirk: every client's subscription goes, not just the caller's
        else:
            broker.subscriptions.pop(subscription.ident, None)
            subscription.arrived.set()
        return "<wsnt:UnsubscribeResponse/>"
    if operation == "SetSynchronizationPoint":
        return "<tev:SetSynchronizationPointResponse/>"
    raise soap.not_implemented()
