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

#: Literature of the vessel calibre section, by key; numbered after :data:`REFERENCES` in the order the report
#: cites them (only the cited ones are listed). ``calibre_reference.json`` names its sources by these keys.
CALIBRE_REFERENCES: dict[str, str] = {
    "knudtson2003": "Knudtson MD, Lee KE, Hubbard LD, Wong TY, Klein R, Klein BE. Revised formulas for summarizing "
                    "retinal vessel diameters. Curr Eye Res 2003;27(3):143-9.",
    "wong2002": "Wong TY, Klein R, Sharrett AR, et al. Retinal arteriolar narrowing and risk of coronary heart disease "
                "in men and women: the Atherosclerosis Risk in Communities Study. JAMA 2002;287(9):1153-9.",
    "ikram2006": "Ikram MK, Witteman JCM, Vingerling JR, Breteler MMB, Hofman A, de Jong PTVM. Retinal vessel "
                 "diameters and risk of hypertension: the Rotterdam Study. Hypertension 2006;47:189-94.",
    "wong2003": "Wong TY, Klein R, Klein BEK, Meuer SM, Hubbard LD. Retinal vessel diameters and their associations "
                "with age and blood pressure. Invest Ophthalmol Vis Sci 2003;44(11):4644-50 (Beaver Dam Eye Study).",
    "leung2003": "Leung H, Wang JJ, Rochtchina E, et al. Relationships between age, blood pressure, and retinal "
                 "vessel diameters in an older population. Invest Ophthalmol Vis Sci 2003;44(7):2900-4 (Blue "
                 "Mountains Eye Study).",
}

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
        "calibre": "Vessel calibre (arterioles and venules)",
        "no_av": "No artery/vein map for this photograph: CRAE, CRVE and AVR were not measured.",
        "av_image": "Arteries red, veins blue, uncertain yellow; optic disc, zone B (shaded) and zone C; "
                    "the zone B vessels measured are outlined in white.",
        "zone_b": "Zone B, 0.5–1 DD from the disc margin (standard [{knudtson}])",
        "zone_c": "Zone C, 0.5–2 DD from the disc margin",
        "crae": "CRAE (µm)",
        "crve": "CRVE (µm)",
        "avr": "AVR",
        "ours_on_experts": "Our code on expert labels (mean ± SD)",
        "published_range": "Published population range",
        "not_measurable": "not measurable: {reason}",
        "not_measurable_plain": "not measurable",
        "calibre_unavailable": "calibre measurement not available in this version",
        "calibre_failed": "the measurement failed",
        "zone_missing": "zone not measured",
        "eye_estimated": "{eye}, estimated from the disc position",
        "optic_disc": "Optic disc",
        "disc_value": "diameter {d} px, centre ({x}, {y}) px, confidence {c}",
        "disc_not_found": "not found",
        "scale": "Scale",
        "scale_assumed": "assumed disc diameter {d} µm: micrometre values are relative ({s} µm/px)",
        "scale_spacing": "DICOM pixel spacing ({s} µm/px)",
        "segments": "Vessels measured (zone B)",
        "segments_value": "{a} arterioles, {v} venules (of {na} and {nv} found)",
        "av_model": "A/V model",
        "av_model_sha": "A/V model SHA-256",
        "disc_model": "Disc model",
        "disc_model_value": "{name}, SHA-256 {sha}",
        "calibre_method": "Vessel calibre: an artery/vein network labels the pixels of the vessel map and a second "
                          "network locates the optic disc. Vessel widths are measured perpendicular to the centre "
                          "line at sub-pixel precision; the six widest arterioles and the six widest venules in zone "
                          "B (0.5–1 disc diameter, DD, from the disc margin) are combined with the revised Knudtson "
                          "formulas (pairs: arterioles 0.88·sqrt(w1² + w2²), venules 0.95·sqrt(w1² + w2²)) into CRAE "
                          "and CRVE [{knudtson}]; AVR = CRAE / CRVE. Micrometre values assume a disc diameter of "
                          "{disc_um} µm unless the file gives a pixel spacing. In population studies narrower "
                          "retinal arterioles went with a higher risk of hypertension [{ikram}] and, in women, of "
                          "coronary heart disease [{wong}]. These figures support review; they do not diagnose.",
        "calibre_ours_note": "Our code on expert labels: mean ± SD of this software's figures on the expert "
                             "artery/vein labels of {datasets}; small research datasets, not normative values.",
        "calibre_published_note": "Published ranges come from population studies with other cameras, software and "
                                  "partly other summary formulas (Parr-Hubbard): for orientation only.",
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
        "calibre": "血管管径（小动脉与小静脉）",
        "no_av": "本照片无动静脉分类图：未测量 CRAE、CRVE 与 AVR。",
        "av_image": "动脉为红色，静脉为蓝色，不确定为黄色；视盘、B 区（阴影）与 C 区；白色描边为 B 区中测量的血管。",
        "zone_b": "B 区，距视盘边缘 0.5–1 DD（标准区 [{knudtson}]）",
        "zone_c": "C 区，距视盘边缘 0.5–2 DD",
        "crae": "CRAE 动脉当量（µm）",
        "crve": "CRVE 静脉当量（µm）",
        "avr": "AVR 动静脉比",
        "ours_on_experts": "本软件在专家标注上（均值 ± 标准差）",
        "published_range": "文献人群范围",
        "not_measurable": "无法测量：{reason}",
        "not_measurable_plain": "无法测量",
        "calibre_unavailable": "此版本未提供管径测量",
        "calibre_failed": "测量失败",
        "zone_missing": "该区未测量",
        "eye_estimated": "{eye}，根据视盘位置估计",
        "optic_disc": "视盘",
        "disc_value": "直径 {d} px，中心 ({x}, {y}) px，置信度 {c}",
        "disc_not_found": "未找到",
        "scale": "比例尺",
        "scale_assumed": "假定视盘直径 {d} µm：微米值为相对值（{s} µm/px）",
        "scale_spacing": "DICOM 像素间距（{s} µm/px）",
        "segments": "测量血管数（B 区）",
        "segments_value": "小动脉 {a} 条，小静脉 {v} 条（共找到 {na} 条与 {nv} 条）",
        "av_model": "动静脉模型",
        "av_model_sha": "动静脉模型 SHA-256",
        "disc_model": "视盘模型",
        "disc_model_value": "{name}，SHA-256 {sha}",
        "calibre_method": "血管管径：动静脉网络对血管图的像素进行动脉/静脉分类，另一网络定位视盘。"
                          "血管宽度沿垂直于中心线的方向以亚像素精度测量；取 B 区（距视盘边缘 0.5–1 个"
                          "视盘直径 DD）内最宽的六条小动脉和六条小静脉，按修订的 Knudtson 公式（成对合并："
                          "小动脉 0.88·sqrt(w1² + w2²)，小静脉 0.95·sqrt(w1² + w2²)）计算 CRAE 与 CRVE "
                          "[{knudtson}]；AVR = CRAE / CRVE。除非文件提供像素间距，微米值均假定视盘直径为 "
                          "{disc_um} µm。人群研究中，视网膜小动脉较窄者发生高血压的风险较高 [{ikram}]，"
                          "女性发生冠心病的风险亦较高 [{wong}]。这些数值仅供阅片参考，不作为诊断依据。",
        "calibre_ours_note": "本软件在专家标注上：本软件在 {datasets} 专家动静脉标注上测得数值的"
                             "均值 ± 标准差；这些是小型科研数据集，并非正常值。",
        "calibre_published_note": "文献范围来自人群研究，所用相机、软件及部分汇总公式（Parr-Hubbard）"
                                  "与本软件不同，仅供参考。",
    },
}
