"""H.264 and H.265 parameter sets for the SDP: a real SPS carries the picture size, as cameras' `sprop-parameter-sets`
(RFC 6184) and `sprop-vps`/`sprop-sps`/`sprop-pps` (RFC 7798) do."""

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


def _nal(header: bytes, rbsp: bytes) -> bytes:
    # Emulation prevention: no 0x000000..0x000003 inside a NAL unit.
    out, zeros = bytearray(header), 0
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
    return _nal(b"\x67", bits.rbsp())


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
    return _nal(b"\x68", bits.rbsp())


def sprop_parameter_sets(width: int, height: int) -> str:
    """The SDP `sprop-parameter-sets` value: base64 SPS, base64 PPS."""
    return ",".join(base64.b64encode(nal).decode() for nal in (h264_sps(width, height), h264_pps()))


# H.265 NAL unit headers (type << 1, layer 0, temporal id 1) and Main profile, level 4.0.
_VPS, _SPS, _PPS = b"\x40\x01", b"\x42\x01", b"\x44\x01"
_HEVC_MAIN, _HEVC_LEVEL_4_0 = 1, 120


def _profile_tier_level(bits: _Bits) -> None:
    bits.u(2, 0)  # general_profile_space
    bits.u(1, 0)  # general_tier_flag: Main tier
    bits.u(5, _HEVC_MAIN)
    bits.u(32, 0x60000000)  # compatible with Main and Main 10
    bits.u(4, 0b1001)  # progressive source, not interlaced, not non-packed, frame only
    bits.u(43, 0)  # constraint flags
    bits.u(1, 0)  # general_inbld_flag
    bits.u(8, _HEVC_LEVEL_4_0)


def h265_vps() -> bytes:
    """Video parameter set: one layer, one sub-layer."""
    bits = _Bits()
    bits.u(4, 0)  # vps_video_parameter_set_id
    bits.u(1, 1)  # vps_base_layer_internal_flag
    bits.u(1, 1)  # vps_base_layer_available_flag
    bits.u(6, 0)  # vps_max_layers_minus1
    bits.u(3, 0)  # vps_max_sub_layers_minus1
    bits.u(1, 1)  # vps_temporal_id_nesting_flag
    bits.u(16, 0xFFFF)  # vps_reserved_0xffff_16bits
    _profile_tier_level(bits)
    bits.u(1, 1)  # vps_sub_layer_ordering_info_present_flag
    bits.ue(1)  # vps_max_dec_pic_buffering_minus1
    bits.ue(0)  # vps_max_num_reorder_pics
    bits.ue(0)  # vps_max_latency_increase_plus1
    bits.u(6, 0)  # vps_max_layer_id
    bits.ue(0)  # vps_num_layer_sets_minus1
    bits.u(1, 0)  # vps_timing_info_present_flag
    bits.u(1, 0)  # vps_extension_flag
    return _nal(_VPS, bits.rbsp())


def h265_sps(width: int, height: int) -> bytes:
    """Sequence parameter set, Main profile, 4:2:0, 8-bit, coded in 8-sample units and cropped to `width`×`height`."""
    coded_w, coded_h = -(-width // 8) * 8, -(-height // 8) * 8
    bits = _Bits()
    bits.u(4, 0)  # sps_video_parameter_set_id
    bits.u(3, 0)  # sps_max_sub_layers_minus1
    bits.u(1, 1)  # sps_temporal_id_nesting_flag
    _profile_tier_level(bits)
    bits.ue(0)  # sps_seq_parameter_set_id
    bits.ue(1)  # chroma_format_idc: 4:2:0
    bits.ue(coded_w)  # pic_width_in_luma_samples
    bits.ue(coded_h)  # pic_height_in_luma_samples
    crop_right, crop_bottom = (coded_w - width) // 2, (coded_h - height) // 2  # 4:2:0 window unit is 2
    bits.u(1, 1 if crop_right or crop_bottom else 0)  # conformance_window_flag
    if crop_right or crop_bottom:
        for offset in (0, crop_right, 0, crop_bottom):
            bits.ue(offset)
    bits.ue(0)  # bit_depth_luma_minus8
    bits.ue(0)  # bit_depth_chroma_minus8
    bits.ue(4)  # log2_max_pic_order_cnt_lsb_minus4
    bits.u(1, 1)  # sps_sub_layer_ordering_info_present_flag
    bits.ue(1)  # sps_max_dec_pic_buffering_minus1
    bits.ue(0)  # sps_max_num_reorder_pics
    bits.ue(0)  # sps_max_latency_increase_plus1
    bits.ue(0)  # log2_min_luma_coding_block_size_minus3: 8 samples
    bits.ue(3)  # log2_diff_max_min_luma_coding_block_size: 64-sample CTUs
    bits.ue(0)  # log2_min_luma_transform_block_size_minus2
    bits.ue(3)  # log2_diff_max_min_luma_transform_block_size
    bits.ue(1)  # max_transform_hierarchy_depth_inter
    bits.ue(1)  # max_transform_hierarchy_depth_intra
    bits.u(1, 0)  # scaling_list_enabled_flag
    bits.u(1, 0)  # amp_enabled_flag
    bits.u(1, 1)  # sample_adaptive_offset_enabled_flag
    bits.u(1, 0)  # pcm_enabled_flag
    bits.ue(0)  # num_short_term_ref_pic_sets
    bits.u(1, 0)  # long_term_ref_pics_present_flag
    bits.u(1, 1)  # sps_temporal_mvp_enabled_flag
    bits.u(1, 1)  # strong_intra_smoothing_enabled_flag
    bits.u(1, 0)  # vui_parameters_present_flag
    bits.u(1, 0)  # sps_extension_present_flag
    return _nal(_SPS, bits.rbsp())


def h265_pps() -> bytes:
    """Picture parameter set matching `h265_sps`."""
    bits = _Bits()
    bits.ue(0)  # pps_pic_parameter_set_id
    bits.ue(0)  # pps_seq_parameter_set_id
    bits.u(1, 0)  # dependent_slice_segments_enabled_flag
    bits.u(1, 0)  # output_flag_present_flag
    bits.u(3, 0)  # num_extra_slice_header_bits
    bits.u(1, 0)  # sign_data_hiding_enabled_flag
    bits.u(1, 0)  # cabac_init_present_flag
    bits.ue(0)  # num_ref_idx_l0_default_active_minus1
    bits.ue(0)  # num_ref_idx_l1_default_active_minus1
    bits.se(0)  # init_qp_minus26
    bits.u(1, 0)  # constrained_intra_pred_flag
    bits.u(1, 0)  # transform_skip_enabled_flag
    bits.u(1, 1)  # cu_qp_delta_enabled_flag
    bits.ue(0)  # diff_cu_qp_delta_depth
    bits.se(0)  # pps_cb_qp_offset
    bits.se(0)  # pps_cr_qp_offset
    bits.u(1, 0)  # pps_slice_chroma_qp_offsets_present_flag
    bits.u(1, 0)  # weighted_pred_flag
    bits.u(1, 0)  # weighted_bipred_flag
    bits.u(1, 0)  # transquant_bypass_enabled_flag
    bits.u(1, 0)  # tiles_enabled_flag
    bits.u(1, 0)  # entropy_coding_sync_enabled_flag
    bits.u(1, 1)  # pps_loop_filter_across_slices_enabled_flag
    bits.u(1, 0)  # deblocking_filter_control_present_flag
    bits.u(1, 0)  # pps_scaling_list_data_present_flag
    bits.u(1, 0)  # lists_modification_present_flag
    bits.ue(0)  # log2_parallel_merge_level_minus2
    bits.u(1, 0)  # slice_segment_header_extension_present_flag
    bits.u(1, 0)  # pps_extension_present_flag
    return _nal(_PPS, bits.rbsp())


def h265_sprop(width: int, height: int) -> str:
    """The SDP fmtp parameters of an H.265 stream: `sprop-vps`, `sprop-sps` and `sprop-pps`, base64."""
    encoded = [base64.b64encode(nal).decode() for nal in (h265_vps(), h265_sps(width, height), h265_pps())]
    return "sprop-vps={};sprop-sps={};sprop-pps={}".format(*encoded)
