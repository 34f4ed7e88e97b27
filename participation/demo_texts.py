"""The demo consultations' words: drafts, comments from demo members, comments received by
e-mail and on paper, and the form letter a caregivers' network circulated. Written for the demo."""

LTC_DRAFT = """本草案修正長期照顧服務法部分條文，回應高齡化與照顧人力短缺，並強化家庭照顧者支持。

第一條 為健全長期照顧服務體系，保障接受服務者與照顧者之尊嚴及權益，特制定本法。

第二條 本法所稱主管機關：在中央為衛生福利部；在直轄市為直轄市政府；在縣（市）為縣（市）政府。

第三條 長期照顧服務對象，指身心失能持續已達或預期達六個月以上，且需他人協助日常生活者。

第四條 直轄市、縣（市）主管機關應每二年評估轄區照顧需求，並公開照顧服務資源分布及等候時間。

第五條 家庭照顧者得申請喘息服務，每年合計以二十一日為上限；照顧失智者，得增加七日。

第六條 長期照顧服務人員之薪資，不得低於中央主管機關公告之基準；基準每年檢討一次。

第七條 中央主管機關應建置長期照顧服務資料平臺，提供民眾查詢服務單位、評鑑結果及收費資訊。
"""

PLASTIC_DRAFT = """為減少一次用塑膠製品之使用，推動源頭減量，訂定本辦法。

第一條 本辦法依廢棄物清理法第二十一條規定訂定之。

第二條 本辦法所稱一次用塑膠製品，指塑膠製之吸管、杯、餐具及購物用塑膠袋。

第三條 連鎖飲料店及便利商店，不得主動提供一次用塑膠吸管；消費者索取者，不在此限。

第四條 自中華民國一百十六年起，前條業者提供自備杯者，每杯應至少折價五元。

第五條 違反第三條規定者，經限期改善而屆期未改善者，依廢棄物清理法規定處罰。
"""

DIGITAL_DRAFT = """## 第一條 目的
為保障民眾使用數位身分時之隱私與自主，訂定本準則。

## 第二條 最小蒐集
機關使用數位身分驗證時，僅得蒐集完成該次服務所必要之資料。

## 第三條 替代管道
機關不得以數位身分為唯一之服務管道，應保留臨櫃或書面申辦方式。
"""

HOMECARE_DRAFT = """第一條 為整合居家醫療與長期照顧，訂定本計畫。

第二條 居家醫療團隊應於收案後七日內完成首次訪視。

第三條 參與計畫之醫事機構，應與長期照顧服務單位共享個案照護計畫。

第四條 個案照護資料之共享，應經個案或其家屬書面同意。
"""

HOMECARE_RECEIVED = [
    (2, "oppose", "七日內首次訪視在偏鄉做不到，醫師人力不足。"),
    (2, "amend", "建議改為十四日內，偏鄉地區得延長。"),
    (2, "oppose", "山區交通時間長，七日太趕。"),
    (3, "support", "醫療和照顧資料不互通是目前最大的問題，支持共享。"),
    (3, "support", "共享照護計畫可以避免重複評估，減少長輩奔波。"),
    (4, "support", "個資要有同意機制，支持書面同意。"),
    (4, "amend", "書面同意太麻煩，應允許電子同意。"),
    (4, "oppose", "失智長輩無法表達意願時，家屬同意的程序要更清楚。"),
    (None, "neutral", "希望公布試辦地區與經費。"),
    (None, "support", "整合方向正確，期待早日上路。"),
]

# (author's e-mail, article or None, stance, text, amendment)
LTC_MEMBER_COMMENTS = [
    (
        "tsai.meiling@demo.thinktank.tw",
        5,
        "amend",
        "喘息服務二十一日對長期照顧失能家人的照顧者來說遠遠不夠，多數照顧者每天工作超過十小時。建議提高上限並簡化申請程序。",
        "家庭照顧者得申請喘息服務，每年合計以三十日為上限；照顧失智者或重度失能者，得增加十四日。申請程序應於十日內完成審核。",
    ),
    (
        "lee.chengen@demo.thinktank.tw",
        4,
        "support",
        "公開等候時間是很重要的一步，研究顯示資訊透明能促使地方政府改善資源配置。建議同時公開城鄉差距的數據。",
        "",
    ),
    (
        "kuo.wenhsiung@demo.thinktank.tw",
        6,
        "oppose",
        "薪資基準每年檢討可能讓小型服務單位難以預估成本，建議改為每兩年檢討，並提供過渡期補助。",
        "",
    ),
    (
        "hsu.shuhui@demo.thinktank.tw",
        3,
        "amend",
        "六個月的門檻會讓術後需要短期照顧的長輩無法使用服務。",
        "長期照顧服務對象，指身心失能持續已達或預期達三個月以上，且需他人協助日常生活者。",
    ),
    (
        "emily.chen@demo.thinktank.tw",
        None,
        "support",
        "As a foreign spouse caring for my mother-in-law, I welcome this draft. Please make the service information available in English and Southeast Asian languages.",
        "",
    ),
    (
        "nguyen.thilan@demo.thinktank.tw",
        7,
        "amend",
        "資料平臺應該提供越南文、印尼文等新住民語言，很多照顧者是新住民。",
        "中央主管機關應建置長期照顧服務資料平臺，以多種語言提供民眾查詢服務單位、評鑑結果及收費資訊。",
    ),
    ("lee.chengen@demo.thinktank.tw", 5, "support", "喘息服務對失智症照顧者額外增加天數，符合國際經驗，值得肯定。", ""),
    (
        "tsai.meiling@demo.thinktank.tw",
        6,
        "support",
        "照顧服務員薪資長期偏低是人力流失的主因，設定基準是正確方向。",
        "",
    ),
    (
        "hsu.shuhui@demo.thinktank.tw",
        None,
        "neutral",
        "希望衛福部說明財源如何支應，避免地方政府因經費不足而無法落實。",
        "",
    ),
]

PLASTIC_MEMBER_COMMENTS = [
    (
        "emily.chen@demo.thinktank.tw",
        3,
        "support",
        "Good step. Many cities abroad already do this and people adapt quickly.",
        "",
    ),
    ("kuo.wenhsiung@demo.thinktank.tw", 4, "oppose", "強制折價五元對小型飲料店負擔太重，應由業者自行決定折扣。", ""),
    (
        "tsai.meiling@demo.thinktank.tw",
        2,
        "amend",
        "應將塑膠封膜也納入規範。",
        "本辦法所稱一次用塑膠製品，指塑膠製之吸管、杯、杯蓋、封膜、餐具及購物用塑膠袋。",
    ),
]

# Comments the ministry received by e-mail and on paper (imported): written for the demo.
LTC_RECEIVED = [
    (3, "oppose", "失能認定標準應該回歸專業評估，不宜用時間長短一刀切。"),
    (4, "support", "贊成每兩年評估需求，但評估結果要附上改善時程。"),
    (5, "support", "我照顧中風的父親五年，喘息服務是唯一能讓我休息的時間，謝謝政府重視。"),
    (5, "amend", "喘息服務應該可以按小時使用，不要只能整天申請。"),
    (6, "support", "居服員薪水太低，年輕人都不願意做，支持訂定薪資基準。"),
    (6, "oppose", "薪資基準應該考慮各縣市生活成本差異，不應全國一致。"),
    (7, "support", "資料平臺很實用，希望也能查到各機構的空床數。"),
    (None, "neutral", "希望主管機關多辦幾場說明會，讓鄉下的長輩也能了解新制度。"),
    (2, "neutral", "地方政府的權責應該寫得更清楚，避免互相推諉。"),
    (4, "amend", "公開資訊應包含各區居家服務的平均等候天數。"),
    (None, "support", "整體方向正確，但執行細則要盡快公布。"),
    (3, "support", "支持將預期失能者納入，讓需要的人早點得到協助。"),
    (5, "oppose", "喘息服務的問題不是天數，而是根本找不到照顧人力。"),
    (6, "neutral", "請說明薪資基準如何計算，是否包含交通時間。"),
    (7, "amend", "平臺應開放資料下載，讓民間團體也能分析。"),
    (None, "support", "I support the draft but ask for more respite care for working caregivers."),
    (5, "support", "Respite care days should not depend on where you live; please fund it nationally."),
    (6, "support", "Home care workers are paid too little to stay in the job. A wage standard is overdue."),
    (7, "amend", "The data platform should also list each care home's vacant beds, and in English."),
    (6, "neutral", "Will the wage standard count the time care workers spend travelling between homes?"),
    (7, "amend", "Let civic groups download the platform's data so that they can analyse it."),
    (4, "neutral", "建議評估報告邀請照顧者團體參與。"),
    (1, "support", "把照顧者的尊嚴寫進立法目的，是很重要的宣示。"),
    (6, "oppose", "如果補助沒有跟著提高，小型居服單位會倒閉。"),
    (3, "amend", "三個月就應該納入，很多長輩等不了半年。"),
    (3, "oppose", "失能不只看時間，輕度失智的長輩也需要協助，卻常被排除。"),
    (3, "support", "預期失能的認定要有醫師診斷，避免浮濫。"),
    (4, "support", "等候時間公開後，民眾才知道哪裡的服務不足。"),
    (4, "amend", "評估需求應該每年一次，兩年太久，人口變化很快。"),
    (4, "neutral", "偏鄉的照顧資源分布資料要細到鄉鎮，不要只有縣市的數字。"),
    (5, "support", "失智症照顧者多七天喘息，對我們家幫助很大。"),
    (5, "amend", "喘息服務的申請流程太複雜，每次都要重新送件。"),
    (5, "oppose", "喘息服務地點太遠，長輩不願意去機構，等於沒有用。"),
    (5, "amend", "希望喘息服務可以到宅提供，不必把長輩送到機構。"),
    (6, "support", "照顧服務員是辛苦的工作，薪水應該和技術人員一樣。"),
    (6, "amend", "薪資基準應該把夜班和假日加給一起訂出來。"),
    (6, "oppose", "只訂薪資下限不夠，還要改善勞動條件和職業傷害保障。"),
    (6, "neutral", "外籍看護的薪資是否也適用這個基準，請說明。"),
    (7, "support", "平臺最好有手機版，長輩的子女多半用手機查。"),
    (7, "amend", "評鑑結果應該用看得懂的方式呈現，不要只有分數。"),
    (7, "amend", "平臺應該標示收費明細，避免額外收費的糾紛。"),
    (2, "amend", "中央和地方的經費分擔比例應該寫進法條。"),
    (2, "neutral", "原住民族地區的長照應該由原民會一起負責。"),
    (None, "oppose", "長照財源依賴菸稅和遺贈稅並不穩定，應該研議長照保險。"),
    (None, "support", "謝謝政府公開草案讓我們表達意見，希望能看到回應。"),
    (None, "neutral", "草案對身心障礙者和高齡者的差異沒有說明清楚。"),
    (5, "support", "Adding seven days of respite for families caring for someone with dementia is a good step."),
    (3, "amend", "Six months is too long to wait: older people recovering from a stroke need help within weeks."),
    (4, "support", "Publishing waiting times for each area would let families plan ahead."),
]

# A form letter that a caregivers' network circulated; senders added their own lines.
CAMPAIGN_TEMPLATE = (
    "我是家庭照顧者。我支持修正長期照顧服務法，但第五條的喘息服務每年二十一日太少，"
    "請將上限提高到三十日，並讓照顧者可以按小時彈性使用。照顧者不是機器，也需要休息。"
)
CAMPAIGN_ADDITIONS = [
    "我照顧失智的母親已經八年。",
    "我白天上班，晚上照顧中風的先生。",
    "我一個人照顧兩位長輩。",
    "我住在花蓮，附近沒有日照中心。",
    "我的孩子是身心障礙者，我今年六十五歲。",
    "",
    "我已經三年沒有好好睡過一覺。",
    "我是新住民，照顧公公十年了。",
    "我為了照顧爸爸辭掉工作。",
    "",
    "請聽聽我們的聲音。",
    "我們家的外籍看護回國後就找不到人。",
    "",
]
CAMPAIGN_CLOSINGS = ["", "謝謝。", "懇請採納。", "請衛福部重視照顧者的處境！", "一位疲憊的照顧者"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = ["淑芬", "美玲", "志明", "俊傑", "雅婷", "家豪", "怡君", "建宏", "麗華", "文雄", "秀英", "承恩", "佩珊", "宗翰"]
