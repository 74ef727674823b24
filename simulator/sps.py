"""H.264 parameter sets for the SDP: a real SPS carries the picture size, as cameras' `sprop-parameter-sets` do."""

from __future__ import annotations

import base64

_PROFILE_MAIN, _CONSTRAINT_SET1, _LEVEL_4_0 = 77, 0x40, 40
PROFILE_LEVEL_ID = f"{_PROFILE_MAIN:02X}{_CONSTRAINT_SET1:02X}{_LEVEL_4_0:02X}"


class _Bits:
    def __init__(self) -> None:
        self._bits: list[int] = []

    def u(self, width: int, value: int) -> None:
        self._bits += [(value >> shift) & 1 for shift in range(width - 1, -1, -1)]

    def ue(self, value: int) -> None:
        # Exp-Golomb: (leading zeros) 1 (info bits) for value + 1.
        code = value + 1
        self.u(code.bit_length() - 1, 0)
        self.u(code.bit_length(), code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def rbsp(self) -> bytes:
        bits = [*self._bits, 1]  # rbsp_stop_one_bit, then zero bits up to a byte boundary
        bits += [0] * (-len(bits) % 8)
        return bytes(int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8))


def _nal(header: int, rbsp: bytes) -> bytes:
    # Emulation prevention: no 0x000000..0x000003 inside a NAL unit.
    out, zeros = bytearray([header]), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def h264_sps(width: int, height: int) -> bytes:
    """Sequence parameter set, Main profile level 4.0, progressive, cropped to `width`×`height`."""
    mbs_w, mbs_h = -(-width // 16), -(-height // 16)
    bits = _Bits()
    bits.u(8, _PROFILE_MAIN)
    bits.u(8, _CONSTRAINT_SET1)
    bits.u(8, _LEVEL_4_0)
    bits.ue(0)  # seq_parameter_set_id
    bits.ue(0)  # log2_max_frame_num_minus4
    bits.ue(2)  # pic_order_cnt_type
    bits.ue(1)  # max_num_ref_frames
    bits.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    bits.ue(mbs_w - 1)
    bits.ue(mbs_h - 1)
    bits.u(1, 1)  # frame_mbs_only_flag
    bits.u(1, 1)  # direct_8x8_inference_flag
    crop_right, crop_bottom = (mbs_w * 16 - width) // 2, (mbs_h * 16 - height) // 2  # 4:2:0 crop unit is 2
    bits.u(1, 1 if crop_right or crop_bottom else 0)
    if crop_right or crop_bottom:
        for offset in (0, crop_right, 0, crop_bottom):
            bits.ue(offset)
    bits.u(1, 0)  # vui_parameters_present_flag
    return _nal(0x67, bits.rbsp())


def h264_pps() -> bytes:
    """Picture parameter set matching `h264_sps` (CABAC, one slice group, deblocking control)."""
    bits = _Bits()
    bits.ue(0)  # pic_parameter_set_id
    bits.ue(0)  # seq_parameter_set_id
    bits.u(1, 1)  # entropy_coding_mode_flag
    bits.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    bits.ue(0)  # num_slice_groups_minus1
    bits.ue(0)  # num_ref_idx_l0_default_active_minus1
    bits.ue(0)  # num_ref_idx_l1_default_active_minus1
    bits.u(1, 0)  # weighted_pred_flag
    bits.u(2, 0)  # weighted_bipred_idc
    bits.se(0)  # pic_init_qp_minus26
    bits.se(0)  # pic_init_qs_minus26
    bits.se(0)  # chroma_qp_index_offset
    bits.u(1, 1)  # deblocking_filter_control_present_flag
    bits.u(1, 0)  # constrained_intra_pred_flag
    bits.u(1, 0)  # redundant_pic_cnt_present_flag
    return _nal(0x68, bits.rbsp())


def sprop_parameter_sets(width: int, height: int) -> str:
    """The SDP `sprop-parameter-sets` value: base64 SPS, base64 PPS."""
    return ",".join(base64.b64encode(nal).decode() for nal in (h264_sps(width, height), h264_pps()))
