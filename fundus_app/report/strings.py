"""Report wording in English and Simplified Chinese.

Every visible string of the report comes from :data:`STRINGS`; both languages
have the same keys (a unit test checks it). Numbers, units and references are
shared. Texts are plain (no markup); the renderer escapes them.
"""
from __future__ import annotations

LANGUAGES = ("en", "zh")

DISCLAIMER_EN = "For research and review support; not a diagnosis."
DISCLAIMER_ZH = "仅供科研及阅片辅助，不作为诊断依据"

#: Literature for the biomarkers, cited as [n] in the catalogue's definitions (``fundus_app.biomarkers.catalogue``).
REFERENCES = (
    "Kim AY et al. Quantifying microvascular density and morphology in diabetic retinopathy using SD-OCT "
    "angiography. Invest Ophthalmol Vis Sci 2016;57(9):OCT362-70.",
    "Liew G et al. The retinal vasculature as a fractal: methodology, reliability, and relationship to blood "
    "pressure. Ophthalmology 2008;115(11):1951-6.",
    "Hart WE et al. Measurement and classification of retinal vascular tortuosity. Int J Med Inform "
    "1999;53(2-3):239-52.",
    "Nunez-Iglesias J et al. A new Python library to analyse skeleton images [...]. PeerJ 2018;6:e4312.",
    "Staal J et al. Ridge-based vessel segmentation in color images of the retina. IEEE Trans Med Imaging "
    "2004;23(4):501-9 (DRIVE). Hoover A et al. Locating blood vessels in retinal images by piecewise threshold "
    "probing of a matched filter response. IEEE Trans Med Imaging 2000;19(3):203-10 (STARE).",
)

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "default_clinic": "Fundus Vessel Workstation",
        "colon": ": ",
        "title": "Retinal Vessel Analysis Report",
        "report_date": "Report date",
        "software": "Software",
        "patient_study": "Patient and study",
        "name": "Name",
        "patient_id": "Patient ID",
        "id_hash": "ID hash (SHA-256)",
        "sex": "Sex",
        "birth_date": "Birth date",
        "study_date": "Study date",
        "eye": "Eye",
        "camera": "Camera",
        "not_available": "not available",
        "withheld": "withheld (anonymised)",
        "male": "Male",
        "female": "Female",
        "other": "Other",
        "right_eye": "Right eye (OD)",
        "left_eye": "Left eye (OS)",
        "both_eyes": "Both eyes (OU)",
        "images": "Images",
        "original": "Original photograph",
        "overlay": "Vessel overlay (threshold {threshold})",
        "binary": "Binary vessel map",
        "biomarkers": "Vessel biomarkers",
        "measure": "Measure",
        "value": "Value",
        "reference": "Reference (mean ± SD)",
        "position": "Position (±1 and ±2 SD)",
        "definition": "Definition",
        "no_segments": "n/a",
        "no_reference": "none",
        "plot_title": "Box counting (fractal dimension)",
        "plot_x": "log2 box size s (px, FOV scaled to D = {d} px)",
        "plot_y": "log2 N(s)",
        "plot_legend": "FD = {fd}, R² = {r2}",
        "processing": "Processing",
        "model": "Model",
        "model_sha": "Model SHA-256",
        "threshold": "Threshold",
        "crf": "CRF refinement",
        "on": "on",
        "off": "off",
        "device": "Device",
        "time": "Processing time",
        "image": "Image",
        "fov_diameter": "FOV diameter D",
        "working_scale": "Segmented at",
        "working_scale_value": "{scale}× (FOV {d} px)",
        "seconds": "{t} s",
        "notes": "Notes",
        "reference_note": "D = FOV diameter. Reference ranges: mean ± SD measured with this software on expert "
                          "manual vessel annotations of DRIVE (n = {n_drive}) and STARE (n = {n_stare}) [5]; public "
                          "research datasets including eyes with retinopathy, not normative values of a healthy "
                          "population. Position: dot = this eye, dark band = mean ± 1 SD, light band = mean ± 2 SD, "
                          "tick = mean; orange = outside ± 2 SD (arrow: beyond ± 3 SD). This report's values come "
                          "from an automated vessel map, which can miss fine vessels (lower density, length and "
                          "branch counts) or add false ones.",
        "stale_reference": "The reference ranges were measured with other biomarker settings; re-run "
                            "scripts/measure_reference_ranges.py.",
        "page": "Page {page} of {pages}",
    },
    "zh": {
        "default_clinic": "眼底血管工作站",
        "colon": "：",
        "title": "视网膜血管分析报告",
        "report_date": "报告日期",
        "software": "软件",
        "patient_study": "患者与检查信息",
        "name": "姓名",
        "patient_id": "患者编号",
        "id_hash": "编号哈希",
        "sex": "性别",
        "birth_date": "出生日期",
        "study_date": "检查日期",
        "eye": "眼别",
        "camera": "设备",
        "not_available": "未提供",
        "withheld": "已隐去（匿名）",
        "male": "男",
        "female": "女",
        "other": "其他",
        "right_eye": "右眼 (OD)",
        "left_eye": "左眼 (OS)",
        "both_eyes": "双眼 (OU)",
        "images": "图像",
        "original": "原始眼底照片",
        "overlay": "血管叠加图（阈值 {threshold}）",
        "binary": "二值血管图",
        "biomarkers": "血管生物标志物",
        "measure": "指标",
        "value": "数值",
        "reference": "参考值（均值 ± 标准差）",
        "position": "位置（±1 与 ±2 SD）",
        "definition": "定义",
        "no_segments": "无",
        "no_reference": "无",
        "plot_title": "盒计数（分形维数）",
        "plot_x": "log2 盒尺寸 s（像素，视野缩放至 D = {d} 像素）",
        "plot_y": "log2 N(s)",
        "plot_legend": "FD = {fd}，R² = {r2}",
        "processing": "处理信息",
        "model": "模型",
        "model_sha": "模型 SHA-256",
        "threshold": "阈值",
        "crf": "CRF 优化",
        "on": "开",
        "off": "关",
        "device": "计算设备",
        "time": "处理时间",
        "image": "图像",
        "fov_diameter": "视野直径 D",
        "working_scale": "分割尺度",
        "working_scale_value": "{scale}×（视野 {d} px）",
        "seconds": "{t} 秒",
        "notes": "说明",
        "reference_note": "D = 视野直径。参考值：本软件在 DRIVE（n = {n_drive}）和 STARE（n = {n_stare}）"
                          "专家手工血管标注上测得的均值 ± 标准差 [5]；这些公开科研数据集包含视网膜病变眼，"
                          "并非健康人群的正常值。位置：圆点 = 本眼，深色带 = 均值 ± 1 SD，浅色带 = 均值 ± 2 SD，"
                          "竖线 = 均值；橙色 = 超出 ± 2 SD（箭头：超出 ± 3 SD）。本报告数值来自自动分割的血管图，"
                          "可能遗漏细小血管（使密度、长度和分支点数偏低）或产生假阳性。",
        "stale_reference": "参考值是用其他生物标志物参数测得的；请重新运行 scripts/measure_reference_ranges.py。",
        "page": "第 {page} 页，共 {pages} 页",
    },
}
