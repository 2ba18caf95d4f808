"""SF Express EXP_RECE_SEARCH_ROUTES bodies for sandbox journeys (carrier-apis.md §9): the open
platform's envelope (HTTP 200 even for refusals) holding the service answer as a JSON string;
routes oldest first, ``acceptTime`` on China's wall clock without an offset, Chinese remarks. A
waybill without routes is SF's "not found".

Our sources name SF opCodes for pickup, sorting, arrival, departure, customs, delivery dispatch
and signature only: the other scans get ``SBX…`` codes (sandbox only), which the parser reads as
UNKNOWN, as it would an unlisted real code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from carriers.sandbox.journeys import Journey, Scan
from carriers.sandbox.render_codes import (
    ARRIVED,
    ATTEMPT,
    CUSTOMS,
    DAMAGED,
    DELAYED,
    DEPARTED,
    HOLD,
    INFO,
    LOST,
    OFD,
    PICKED_UP,
    PICKUP,
    POINT,
    RELEASED,
    RETURNED,
    RETURNING,
    SAFE,
    Code,
    Key,
    code_for,
    dump,
)
from parcel_watch.status import Status as S

CHINA = ZoneInfo("Asia/Shanghai")
_UNREAD: Key = (S.UNKNOWN, None)
_TRANSIT: Key = (S.IN_TRANSIT, None)
_DELIVERED: Key = (S.DELIVERED, None)
_SORTED = "快件在【集散中心】完成分拣,准备发往下一站"

CODES_SFEXPRESS: dict[Key, Code] = {
    INFO: Code("SBX10", "顺丰已收到订单信息", _UNREAD),
    PICKED_UP: Code("50", "顺丰速运 已收取快件", PICKED_UP),
    DEPARTED: Code("36", "快件已发车", DEPARTED),
    ARRIVED: Code("31", "快件到达【集散中心】", ARRIVED),
    CUSTOMS: Code("605", "快件清关中", CUSTOMS),
    RELEASED: Code("30", _SORTED, _TRANSIT),
    DELAYED: Code("30", _SORTED, _TRANSIT),
    HOLD: Code("SBX20", "快件被海关扣留，需缴纳关税", _UNREAD),
    LOST: Code("SBX21", "快件遗失", _UNREAD),
    DAMAGED: Code("SBX22", "快件破损", _UNREAD),
    OFD: Code("204", "快件交给派送员，正在派送途中", OFD),
    ATTEMPT: Code("SBX30", "派送不成功，收件人不在", _UNREAD),
    PICKUP: Code("SBX31", "快件已存放至自提点，请及时领取", _UNREAD),
    SAFE: Code("80", "已签收,感谢使用顺丰,期待再次为您服务", _DELIVERED),
    POINT: Code("80", "已签收,感谢使用顺丰,期待再次为您服务", _DELIVERED),
    RETURNING: Code("SBX40", "快件退回中", _UNREAD),
    RETURNED: Code("SBX41", "快件已退回寄件人", _UNREAD),
}


def _route(scan: Scan) -> dict[str, str]:
    code = code_for(CODES_SFEXPRESS, scan)
    at = scan.occurred_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return {"acceptTime": at, "acceptAddress": scan.place.city, "opCode": code.code, "remark": code.text}


def _envelope(code: str, message: str, data: Any) -> bytes:
    result = json.dumps(data, ensure_ascii=False) if data is not None else None
    return dump(
        {"apiErrorMsg": message, "apiResponseID": "SANDBOX", "apiResultCode": code, "apiResultData": result}
    )


def render_sfexpress_many(journeys: Sequence[Journey], now: datetime, missing: Sequence[str] = ()) -> bytes:
    resps = [{"mailNo": j.tracking_number, "routes": [_route(s) for s in j.visible(now)]} for j in journeys]
    resps += [{"mailNo": number, "routes": []} for number in missing]
    answer = {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": {"routeResps": resps}}
    return _envelope("A1000", "", answer)


def render_sfexpress(journey: Journey, now: datetime) -> bytes:
    return render_sfexpress_many([journey], now)


def render_sfexpress_not_found(number: str) -> tuple[int, bytes]:
    return 200, render_sfexpress_many([], datetime.min, [number])


def render_sfexpress_refused(code: str, message: str) -> tuple[int, bytes]:
    """A refusal by the open platform (A1006 bad digest, A1001 missing field, …): HTTP 200."""
    return 200, _envelope(code, message, None)
